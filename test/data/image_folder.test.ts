/** ImageFolder over a temporary tree of class folders, with torchvision's ordering and errors. */
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Compose, DataLoader, ImageFolder, Resize, ToTensor } from "../../src/index.js";
import { PngError, decodePng, type ImageFolderFileSystem, type RawImage } from "../../src/data/index.js";

const pngDir = new URL("../golden/png/files/", import.meta.url);
const golden = (name: string) => new URL(name, pngDir);

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "gradstep-imagefolder-"));
  const tree: Record<string, string> = {
    "rock/b.png": "pil_RGB_level6.png",
    "rock/a.PNG": "enc_c6_d8_adam7_9x17.png",
    "rock/zz/deeper.png": "pil_L_level6.png",
    "rock/sub/c.png": "pil_P_level6.png",
    "paper/only.png": "filter4_flat.png",
    "scissors/1.png": "enc_c0_d8_flat_31x33.png",
    "scissors/10.png": "enc_c2_d16_adam7_31x33.png",
    "scissors/2.png": "pil_LA_level6.png",
  };
  for (const [path, source] of Object.entries(tree)) {
    mkdirSync(join(root, path, ".."), { recursive: true });
    copyFileSync(golden(source), join(root, path));
  }
  writeFileSync(join(root, "rock/notes.txt"), "not an image");
  writeFileSync(join(root, "README"), "a file at the root is not a class");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("ImageFolder", () => {
  it("finds classes and samples in torchvision's order", () => {
    const ds = new ImageFolder(root);
    expect(ds.classes).toEqual(["paper", "rock", "scissors"]);
    expect(ds.classToIdx).toEqual({ paper: 0, rock: 1, scissors: 2 });
    const relative = ds.samples.map(([path, target]) => [path.slice(root.length + 1), target]);
    expect(relative).toEqual([
      ["paper/only.png", 0],
      // files of the class folder first (sorted, case-sensitive: "a.PNG" < "b.png"), then subfolders in path order
      ["rock/a.PNG", 1],
      ["rock/b.png", 1],
      ["rock/sub/c.png", 1],
      ["rock/zz/deeper.png", 1],
      ["scissors/1.png", 2],
      ["scissors/10.png", 2],
      ["scissors/2.png", 2],
    ]);
    expect(ds.targets).toEqual([0, 1, 1, 1, 1, 2, 2, 2]);
    expect(ds.length).toBe(8);
  });

  it("items are [decoded RGB image, class index]", () => {
    const ds = new ImageFolder(root);
    const [image, target] = ds.getItem(2);
    expect(target).toBe(1);
    expect(image).toEqual(decodePng(new Uint8Array(readFileSync(golden("pil_RGB_level6.png")))));
    expect(ds.getItem(-1)[1]).toBe(2);
    expect(() => ds.getItem(8)).toThrow(/index 8 is out of range for 8 images/);
  });

  it("applies the transform and target transform, and feeds a DataLoader", () => {
    const ds = new ImageFolder(root, {
      transform: new Compose([new Resize([8, 8]), new ToTensor()]),
      targetTransform: (y: number) => y * 10,
    });
    const [x, y] = ds.getItem(0);
    expect(x.shape).toEqual([3, 8, 8]);
    expect(y).toBe(0);
    const batches = [...new DataLoader(ds, { batchSize: 3 })];
    expect(batches.map(([xb, yb]) => [xb.shape, yb.dtype, yb.tolist()])).toEqual([
      [[3, 3, 8, 8], "int64", [0, 10, 10]],
      [[3, 3, 8, 8], "int64", [10, 10, 20]],
      [[2, 3, 8, 8], "int64", [20, 20]],
    ]);
  });

  it("ImageFolder.create imports node:fs itself", async () => {
    const ds = await ImageFolder.create(root, { transform: new ToTensor() });
    expect(ds.length).toBe(8);
    expect(ds.getItem(0)[0].shape).toEqual([3, 24, 30]);
  });

  it("reads through a given file system", () => {
    const files: Record<string, Uint8Array> = {
      "/v/cat/1.png": new Uint8Array(readFileSync(golden("pil_RGB_level0.png"))),
    };
    const fs: ImageFolderFileSystem = {
      readdirSync: (path) => [
        ...new Set(
          Object.keys(files)
            .filter((f) => f.startsWith(`${path}/`))
            .map((f) => f.slice(path.length + 1).split("/")[0]),
        ),
      ],
      statSync: (path) => ({
        isDirectory: () => !(path in files) && Object.keys(files).some((f) => f.startsWith(`${path}/`)),
      }),
      readFileSync: (path) => files[path],
    };
    const ds = new ImageFolder("/v/", { fs });
    expect(ds.classes).toEqual(["cat"]);
    expect(ds.samples).toEqual([["/v/cat/1.png", 0]]);
    expect((ds.getItem(0)[0] as RawImage).width).toBe(31);
  });

  it("without a synchronous node:fs, points to ImageFolder.create", () => {
    const proc = process as unknown as { getBuiltinModule?: unknown };
    const saved = proc.getBuiltinModule;
    proc.getBuiltinModule = undefined;
    try {
      expect(() => new ImageFolder(root)).toThrow(/use `await ImageFolder.create\(root, options\)`/);
    } finally {
      proc.getBuiltinModule = saved;
    }
  });
});

describe("ImageFolder errors", () => {
  let bad: string;
  beforeAll(() => {
    bad = mkdtempSync(join(tmpdir(), "gradstep-imagefolder-bad-"));
  });
  afterAll(() => rmSync(bad, { recursive: true, force: true }));

  it("an empty root", () => {
    const empty = join(bad, "empty-root");
    mkdirSync(empty);
    writeFileSync(join(empty, "stray.png"), "");
    expect(() => new ImageFolder(empty)).toThrow(`Couldn't find any class folder in ${empty}.`);
  });

  it("a missing root", () => {
    expect(() => new ImageFolder(join(bad, "nope"))).toThrow(/ImageFolder: cannot read the root folder .*nope: ENOENT/);
  });

  it("class folders without PNG files", () => {
    const tree = join(bad, "classes");
    mkdirSync(join(tree, "b-empty"), { recursive: true });
    mkdirSync(join(tree, "a-text"), { recursive: true });
    mkdirSync(join(tree, "ok"), { recursive: true });
    writeFileSync(join(tree, "a-text/readme.txt"), "");
    copyFileSync(golden("pil_RGB_level6.png"), join(tree, "ok/1.png"));
    expect(() => new ImageFolder(tree)).toThrow(
      "Found no valid file for the classes a-text, b-empty. Supported extensions are: .jpg, .jpeg, .png, .ppm, .bmp, .pgm, .tif, .tiff, .webp",
    );
  });

  it("image files torchvision loads but gradstep cannot decode: an error counting them, unless isValidFile leaves them out", () => {
    const tree = join(bad, "jpeg");
    for (const [path, bytes] of [
      ["cat/1.png", readFileSync(golden("pil_RGB_level6.png"))],
      ["cat/2.jpg", "jpeg bytes"],
      ["cat/deep/3.JPEG", "jpeg bytes"],
      ["dog/1.jpg", "jpeg bytes"],
      ["dog/2.webp", "webp bytes"],
      ["dog/notes.txt", "not an image"],
    ] as const) {
      mkdirSync(join(tree, path, ".."), { recursive: true });
      writeFileSync(join(tree, path), bytes);
    }
    expect(() => new ImageFolder(tree)).toThrow(
      `ImageFolder: 4 image files in ${tree} that torchvision would load cannot be decoded here, which reads only PNG: ` +
        `2 .jpg, 1 .jpeg, 1 .webp (the first is ${join(tree, "cat/2.jpg")}). Convert them to PNG, or leave them out ` +
        `knowingly with { isValidFile: (path) => path.toLowerCase().endsWith(".png") }.`,
    );
    const onlyPng = (path: string) => path.toLowerCase().endsWith(".png");
    expect(() => new ImageFolder(tree, { isValidFile: onlyPng })).toThrow("Found no valid file for the classes dog. ");
    writeFileSync(join(tree, "dog/3.png"), readFileSync(golden("pil_L_level6.png")));
    const ds = new ImageFolder(tree, { isValidFile: onlyPng });
    expect(ds.samples.map(([path, y]) => [path.slice(tree.length + 1), y])).toEqual([
      ["cat/1.png", 0],
      ["dog/3.png", 1],
    ]);
    // isValidFile decides alone, as torchvision's is_valid_file: a file it accepts must then decode
    const all = new ImageFolder(tree, { isValidFile: () => true });
    expect(all.length).toBe(7);
    expect(() => all.getItem(1)).toThrow(`${join(tree, "cat/2.jpg")}: not a PNG file (the PNG signature is missing)`);
  });

  it("checks its options", () => {
    expect(() => new ImageFolder(bad, { target_transform: (y: number) => y } as object)).toThrow(
      /ImageFolder got an unexpected option 'target_transform' \(did you mean 'targetTransform'\?/,
    );
  });

  it("a damaged file PIL loads anyway decodes, with one warning per file however often it is read", () => {
    const tree = join(bad, "damaged");
    mkdirSync(join(tree, "c"), { recursive: true });
    const bytes = readFileSync(golden("pil_RGB_level6.png"));
    writeFileSync(join(tree, "c/no-iend.png"), bytes.subarray(0, bytes.length - 12));
    const warnings: string[] = [];
    const ds = new ImageFolder(tree, { onWarning: (m) => warnings.push(m) });
    expect(ds.getItem(0)).toEqual(ds.getItem(0));
    expect((ds.getItem(0)[0] as RawImage).data).toEqual(decodePng(new Uint8Array(bytes)).data);
    expect(warnings).toEqual([
      expect.stringMatching(new RegExp(`^ImageFolder: ${join(tree, "c/no-iend.png")}: no IEND chunk`)),
    ]);
  });

  it("a corrupt or truncated file names its path", () => {
    const tree = join(bad, "corrupt");
    mkdirSync(join(tree, "c"), { recursive: true });
    const bytes = readFileSync(golden("pil_RGB_level6.png"));
    writeFileSync(join(tree, "c/truncated.png"), bytes.subarray(0, 100));
    writeFileSync(join(tree, "c/text.png"), "hello");
    const ds = new ImageFolder(tree);
    expect(() => ds.getItem(0)).toThrow(PngError);
    expect(() => ds.getItem(0)).toThrow(`${join(tree, "c/text.png")}: not a PNG file (only 5 bytes)`);
    expect(() => ds.getItem(1)).toThrow(new RegExp(`^${join(tree, "c/truncated.png")}: truncated PNG file`));
    rmSync(join(tree, "c/text.png"));
    expect(() => ds.getItem(0)).toThrow(/ImageFolder: cannot read .*text\.png: ENOENT/);
  });
});

describe("browser safety", () => {
  it("src/data imports no Node module at load time", () => {
    const dir = new URL("../../src/data/", import.meta.url);
    for (const file of readdirSync(dir)) {
      if (!statSync(new URL(file, dir)).isFile()) continue;
      const source = readFileSync(new URL(file, dir), "utf8");
      expect(source, file).not.toMatch(/^import[^;]*from\s+["']node:/m);
      expect(source, file).not.toMatch(/import\(\s*["']node:/);
    }
  });
});
