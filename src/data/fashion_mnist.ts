/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) from IDX files, in Node. The Debian package
 * `dataset-fashion-mnist` installs it in /usr/share/datasets/fashion-mnist/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { parseIdx } from './idx.js';
import { type Dataset } from './synthetic.js';

/** Where the Debian package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist/';

/** The class names, by label. */
export const FASHION_MNIST_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;

/**
 * Reads an IDX file, gzip-compressed or not.
 *
 * @example
 * const labels = readIdxFile('/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz'); // labels.dims: [10000]
 */
export function readIdxFile(path: string): ReturnType<typeof parseIdx> {
  let bytes: Uint8Array = readFileSync(path);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
  return parseIdx(bytes, path);
}

function find(dir: string, base: string): string | undefined {
  for (const name of [`${base}.gz`, base]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Whether the files are present in `dir`.
 *
 * @example
 * if (!hasFashionMnist()) console.log('apt-get install dataset-fashion-mnist');
 */
export function hasFashionMnist(dir = FASHION_MNIST_DIR): boolean {
  return ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'].every((b) => find(dir, b) !== undefined);
}

function load(dir: string, prefix: string): Dataset {
  const img = find(dir, `${prefix}-images-idx3-ubyte`);
  const lab = find(dir, `${prefix}-labels-idx1-ubyte`);
  if (!img || !lab) {
    throw new Error(
      `Fashion-MNIST not found in ${dir} (${prefix}-images-idx3-ubyte[.gz] and ${prefix}-labels-idx1-ubyte[.gz]). ` +
        'Fix: apt-get install dataset-fashion-mnist, or pass the directory holding the IDX files',
    );
  }
  const images = readIdxFile(img);
  const labels = readIdxFile(lab);
  if (images.type !== 'u8' || images.dims.length !== 3 || labels.type !== 'u8' || labels.dims[0] !== images.dims[0]) {
    throw new Error(`Fashion-MNIST in ${dir}: unexpected file shapes ${images.dims.join('×')} / ${labels.dims.join('×')}`);
  }
  const d = images.dims[1] * images.dims[2];
  return { x: images.data as Uint8Array, y: labels.data as Uint8Array, n: images.dims[0], d, classes: 10 };
}

/**
 * Loads the training (60 000) and test (10 000) sets: pixels as bytes (row-major 28 × 28), labels 0..9.
 *
 * @example
 * const { train, test } = loadFashionMnist();
 */
export function loadFashionMnist(dir = FASHION_MNIST_DIR): { train: Dataset; test: Dataset } {
  return { train: load(dir, 'train'), test: load(dir, 't10k') };
}

/**
 * The first `n` samples of a data set (views, no copy).
 *
 * @example
 * const small = head(loadFashionMnist().train, 1000); // small.n === 1000
 */
export function head(ds: Dataset, n: number): Dataset {
  const m = Math.min(n, ds.n);
  return { x: ds.x.subarray(0, m * ds.d), y: ds.y.subarray(0, m), n: m, d: ds.d, classes: ds.classes };
}
