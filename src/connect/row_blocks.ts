/**
 * The blocks a FixedProb row is cut into: posts [b·ROW_BLOCK, (b + 1)·ROW_BLOCK) of row i are drawn
 * from their own random stream (key, i, b), so a thread of the step engine that delivers to a
 * range of posts draws only the blocks that overlap it. Shared by both row samplers
 * (src/connect/geometric.ts and src/connect/rare_rows.ts).
 */

/**
 * log2 of the posts per block of a row. Fixed (not from the thread count), so rows do not depend
 * on it. A block costs one seeding (two Threefry blocks) per spike: at 10^6 posts, 2^18 (four
 * blocks) lets the second of two threads start drawing at post 262 144 instead of 0, for 3 more
 * seedings per spike (about 10 % of one thread's delivery); 2^16 and 2^17 measured no faster.
 */
export const ROW_BLOCK_BITS = 18;
/** Posts per block of a row. */
export const ROW_BLOCK = 2 ** ROW_BLOCK_BITS;
