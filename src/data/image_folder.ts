/**
 * `ImageFolder`: a dataset of PNG images arranged in one folder per class, as torchvision's
 * `ImageFolder`:
 *
 *     root/paper/0001.png     → class 0
 *     root/rock/0001.png      → class 1
 *     root/scissors/0001.png  → class 2
 *
 * Class folders are sorted (by code point, as Python sorts strings) and numbered from 0. Each class
 * folder is walked recursively, as torchvision's `os.walk(..., followlinks=True)` does: folders in
 * sorted path order, files sorted within a folder. The samples are the files torchvision's
 * ImageFolder takes: those whose name ends (in any case) in one of its `IMG_EXTENSIONS`, or, given
 * `isValidFile`, those it accepts (torchvision's `is_valid_file`). An empty root or a class folder
 * without samples is an error, with torchvision's message.
 *
 * ## Only PNG is decoded: no sample is lost silently
 * torchvision loads `.jpg`, `.jpeg`, `.bmp`, ... files with PIL; gradstep decodes PNG only. Leaving
 * them out would quietly train on a different data set than the same folder gives in PyTorch (fewer
 * samples, maybe a class gone), so by default a class folder holding any of them is an error that
 * counts them by extension. To leave them out knowingly, pass
 * `isValidFile: (path) => path.toLowerCase().endsWith(".png")`, the torchvision spelling.
 *
 * Item i is `[transform(image), classIndex]`, the image decoded by `decodePng` (RGB, as PIL's
 * `convert("RGB")`, which torchvision's loader applies; damaged files are accepted and refused as
 * PIL does). A file that cannot be decoded throws a `PngError` whose message starts with the
 * file's path; what PIL accepts silently but is damaged is reported once per file through
 * `onWarning` (default `console.warn`).
 *
 * ## File access: synchronous, imported lazily
 * `getItem` must be synchronous (DataLoader is a plain iterable), so ImageFolder needs synchronous
 * file calls. Importing gradstep must not load `node:fs` (browsers have none), so the module is
 * obtained only when an ImageFolder is made:
 * * `new ImageFolder(root, options)` takes `node:fs` from `process.getBuiltinModule` (Node 20.16+
 *   and 22.3+ and runtimes that copy it);
 * * `await ImageFolder.create(root, options)` imports `node:fs` dynamically and works wherever
 *   `node:fs` can be imported (Node 18+, Deno, Bun);
 * * either accepts `{ fs }`: any object with `readdirSync`, `statSync` and `readFileSync` (a
 *   virtual file system, or tests).
 */
import { PngError, decodePng } from "./png.js";
import { checkOptions } from "../options.js";
import type { RawImage } from "./image.js";
import type { Dataset } from "./dataset.js";
import { applyTransform, type Transform, type TransformLike, type TransformOutput } from "./transforms.js";

/** The synchronous file calls ImageFolder uses; `node:fs` provides them. */
export interface ImageFolderFileSystem {
  readdirSync(path: string): string[];
  statSync(path: string): { isDirectory(): boolean; dev?: number | bigint; ino?: number | bigint };
  readFileSync(path: string): Uint8Array;
}

export interface ImageFolderOptions<T = RawImage, Y = number> {
  /** applied to each decoded image (e.g. `new Compose([new Resize(28), new ToTensor()])`) */
  transform?: TransformLike<RawImage, T>;
  /** applied to each class index */
  targetTransform?: TransformLike<number, Y>;
  /** the file system to read from (default: `node:fs`) */
  fs?: ImageFolderFileSystem;
  /** largest image accepted, in pixels (see `decodePng`) */
  maxPixels?: number;
  /**
   * decides which files (given their path) are samples, instead of torchvision's image extensions
   * (torchvision's `is_valid_file`); every file it accepts must be a PNG
   */
  isValidFile?: (path: string) => boolean;
  /** receives, once per file, what is damaged in a file PIL loads anyway (default: `console.warn`) */
  onWarning?: (message: string) => void;
}

/** torchvision's `IMG_EXTENSIONS`: the files its ImageFolder takes as images. */
const IMG_EXTENSIONS = [".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp"] as const;

const OPTION_KEYS = ["transform", "targetTransform", "fs", "maxPixels", "isValidFile", "onWarning"] as const;

type Fn<In, Out> = (input: In) => Out;
/** Options with the two transforms given as functions or as transform objects, for type inference. */
type OptionsWith<TT, YT> = Omit<ImageFolderOptions<unknown, unknown>, "transform" | "targetTransform"> & {
  transform?: TT;
  targetTransform?: YT;
};
/** The item types that options O give: what the transforms return, or the image and the class index. */
type ImageOf<O> = O extends { transform: infer X } ? (X extends undefined ? RawImage : TransformOutput<X>) : RawImage;
type TargetOf<O> = O extends { targetTransform: infer X }
  ? X extends undefined
    ? number
    : TransformOutput<X>
  : number;

export class ImageFolder<T = RawImage, Y = number> implements Dataset<[T, Y]> {
  readonly root: string;
  /** class names, sorted; a class's index is its position here */
  readonly classes: string[];
  readonly classToIdx: Record<string, number>;
  /** [file path, class index] for every image, in dataset order */
  readonly samples: [string, number][];
  /** the class index of every image */
  readonly targets: number[];
  readonly transform: TransformLike<RawImage, T> | undefined;
  readonly targetTransform: TransformLike<number, Y> | undefined;
  private readonly fs: ImageFolderFileSystem;
  private readonly maxPixels: number | undefined;
  private readonly isValidFile: ((path: string) => boolean) | undefined;
  private readonly onWarning: (message: string) => void;
  /** files already warned about: a damaged file is reported once, not every epoch */
  private readonly warned = new Set<string>();

  // One signature per combination of function and object transforms: TypeScript cannot infer a
  // function's return type through a `function | object` union, so each gets its own overload.
  constructor(root: string, options?: OptionsWith<Fn<RawImage, T>, Fn<number, Y>>);
  constructor(root: string, options?: OptionsWith<Transform<RawImage, T>, Fn<number, Y>>);
  constructor(root: string, options?: OptionsWith<Fn<RawImage, T>, Transform<number, Y>>);
  constructor(root: string, options?: OptionsWith<Transform<RawImage, T>, Transform<number, Y>>);
  constructor(root: string, options?: ImageFolderOptions<T, Y>);
  constructor(root: string, options: ImageFolderOptions<T, Y> = {}) {
    if (typeof root !== "string" || root.length === 0) throw new TypeError("ImageFolder: root must be a folder path");
    options = checkOptions("ImageFolder", options, OPTION_KEYS);
    const fs = options.fs ?? builtinFs();
    if (fs === null) {
      throw new Error(
        "ImageFolder: this runtime offers no synchronous node:fs through process.getBuiltinModule; " +
          "use `await ImageFolder.create(root, options)`, which imports node:fs, or pass { fs }",
      );
    }
    this.fs = fs;
    this.root = root.replace(/(?<=.)\/+$/, ""); // "data/" → "data", "/" stays
    this.transform = options.transform;
    this.targetTransform = options.targetTransform;
    this.maxPixels = options.maxPixels;
    this.isValidFile = options.isValidFile;
    this.onWarning = options.onWarning ?? ((message) => console.warn(message));
    this.classes = this.findClasses();
    this.classToIdx = Object.fromEntries(this.classes.map((name, i) => [name, i]));
    this.samples = this.makeSamples();
    this.targets = this.samples.map(([, target]) => target);
  }

  /** Imports `node:fs` (in any runtime that has it) and builds the dataset. */
  static async create<const O extends ImageFolderOptions<any, any> = {}>(
    root: string,
    options?: O,
  ): Promise<ImageFolder<ImageOf<O>, TargetOf<O>>> {
    const given = (options ?? {}) as ImageFolderOptions<ImageOf<O>, TargetOf<O>>;
    if (given.fs !== undefined) return new ImageFolder(root, given);
    // A computed specifier keeps bundlers for the browser from trying to include node:fs.
    const specifier = ["node", "fs"].join(":");
    const fs = (await import(specifier)) as ImageFolderFileSystem & { default?: ImageFolderFileSystem };
    return new ImageFolder(root, { ...given, fs: typeof fs.readFileSync === "function" ? fs : fs.default });
  }

  get length(): number {
    return this.samples.length;
  }

  getItem(index: number): [T, Y] {
    if (!Number.isInteger(index) || index < -this.length || index >= this.length) {
      throw new RangeError(`ImageFolder: index ${index} is out of range for ${this.length} images`);
    }
    const [path, target] = this.samples[index < 0 ? index + this.length : index];
    const image = this.loadImage(path);
    const x = this.transform === undefined ? (image as T) : applyTransform(this.transform, image);
    const y = this.targetTransform === undefined ? (target as Y) : applyTransform(this.targetTransform, target);
    return [x, y];
  }

  /** Reads and decodes one PNG file to RGB; errors name the file. */
  loadImage(path: string): RawImage {
    let bytes: Uint8Array;
    try {
      bytes = this.fs.readFileSync(path);
    } catch (error) {
      throw new Error(`ImageFolder: cannot read ${path}: ${(error as Error).message}`, { cause: error });
    }
    const onWarning = (message: string) => {
      if (this.warned.has(path)) return;
      this.warned.add(path);
      this.onWarning(`ImageFolder: ${path}: ${message}`);
    };
    try {
      return decodePng(bytes, { maxPixels: this.maxPixels, onWarning });
    } catch (error) {
      if (error instanceof PngError) throw new PngError(`${path}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  toString(): string {
    return `Dataset ImageFolder\n    Number of datapoints: ${this.length}\n    Root location: ${this.root}`;
  }

  private findClasses(): string[] {
    let names: string[];
    try {
      names = this.fs.readdirSync(this.root);
    } catch (error) {
      throw new Error(`ImageFolder: cannot read the root folder ${this.root}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const classes = names.filter((name) => this.isDirectory(join(this.root, name))).sort(byCodePoint);
    if (classes.length === 0) throw new Error(`Couldn't find any class folder in ${this.root}.`);
    return classes;
  }

  private makeSamples(): [string, number][] {
    const samples: [string, number][] = [];
    const empty: string[] = [];
    /** image files torchvision would load that are not PNG: count per extension, and the first */
    const notPng = new Map<string, number>();
    let firstNotPng = "";
    this.classes.forEach((name, classIndex) => {
      const before = samples.length;
      for (const [folder, files] of this.walk(join(this.root, name))) {
        for (const file of files) {
          const path = join(folder, file);
          if (this.isValidFile !== undefined) {
            if (this.isValidFile(path)) samples.push([path, classIndex]);
            continue;
          }
          const extension = IMG_EXTENSIONS.find((ext) => file.toLowerCase().endsWith(ext));
          if (extension === undefined) continue;
          samples.push([path, classIndex]);
          if (extension !== ".png") {
            notPng.set(extension, (notPng.get(extension) ?? 0) + 1);
            firstNotPng ||= path;
          }
        }
      }
      if (samples.length === before) empty.push(name);
    });
    if (notPng.size > 0) {
      const total = [...notPng.values()].reduce((a, b) => a + b, 0);
      const counts = [...notPng].map(([ext, n]) => `${n} ${ext}`).join(", ");
      throw new Error(
        `ImageFolder: ${total} image file${total === 1 ? "" : "s"} in ${this.root} that torchvision would load cannot be decoded ` +
          `here, which reads only PNG: ${counts} (the first is ${firstNotPng}). Convert them to PNG, or leave them out ` +
          `knowingly with { isValidFile: (path) => path.toLowerCase().endsWith(".png") }.`,
      );
    }
    if (empty.length > 0) {
      const supported = this.isValidFile === undefined ? `Supported extensions are: ${IMG_EXTENSIONS.join(", ")}` : "";
      throw new Error(`Found no valid file for the classes ${empty.sort(byCodePoint).join(", ")}. ${supported}`);
    }
    return samples;
  }

  /** `sorted(os.walk(top, followlinks=True))`: [folder, sorted file names] in sorted folder order. */
  private walk(top: string): [string, string[]][] {
    const found: [string, string[]][] = [];
    const visiting = new Set<string>();
    const visit = (folder: string) => {
      const id = this.identity(folder);
      if (id !== null) {
        if (visiting.has(id)) return; // a symbolic link back to an ancestor: do not loop forever
        visiting.add(id);
      }
      const files: string[] = [];
      const folders: string[] = [];
      for (const name of this.fs.readdirSync(folder))
        (this.isDirectory(join(folder, name)) ? folders : files).push(name);
      found.push([folder, files.sort(byCodePoint)]);
      for (const sub of folders) visit(join(folder, sub));
      if (id !== null) visiting.delete(id);
    };
    visit(top);
    return found.sort((a, b) => byCodePoint(a[0], b[0]));
  }

  private isDirectory(path: string): boolean {
    try {
      return this.fs.statSync(path).isDirectory();
    } catch {
      return false; // a broken link counts as a file, as os.walk does
    }
  }

  private identity(path: string): string | null {
    try {
      const { dev, ino } = this.fs.statSync(path);
      return dev === undefined || ino === undefined ? null : `${dev}:${ino}`;
    } catch {
      return null;
    }
  }
}

function join(folder: string, name: string): string {
  return folder.endsWith("/") ? folder + name : `${folder}/${name}`;
}

/** Python's string order: by Unicode code point (JS's default sort compares UTF-16 units). */
function byCodePoint(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `node:fs` through `process.getBuiltinModule`, without importing anything at load time. */
function builtinFs(): ImageFolderFileSystem | null {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = typeof proc?.getBuiltinModule === "function" ? proc.getBuiltinModule("node:fs") : undefined;
  return fs ? (fs as ImageFolderFileSystem) : null;
}
