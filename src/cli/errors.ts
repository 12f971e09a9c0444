/**
 * An error the command line reports as one line, without a stack trace (a user's mistake, not ours).
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}
