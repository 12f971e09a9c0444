/** Model files bundled as text (esbuild's text loader, see web/build.mjs). */
declare module '*.yaml' {
  const text: string;
  export default text;
}
