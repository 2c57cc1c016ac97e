/**
 * `data`: datasets, the DataLoader, image transforms, the PNG decoder and ImageFolder
 * (PyTorch's `torch.utils.data` with the parts of torchvision the book uses).
 */
export { type Dataset, type DatasetLike, asDataset, TensorDataset, Subset, randomSplit } from "./dataset.js";
export { type Collated, defaultCollate } from "./collate.js";
export { DataLoader, type DataLoaderOptions } from "./dataloader.js";
export {
  Compose,
  ToTensor,
  Normalize,
  Resize,
  applyTransform,
  type Transform,
  type TransformLike,
  type TransformOutput,
  type NormalizeOptions,
} from "./transforms.js";
export { type RawImage, isRawImage } from "./image.js";
export { resizeImage, interpolateBilinear, resizedOutputSize } from "./resize.js";
export { decodePng, PngError, type DecodePngOptions } from "./png.js";
export { inflateZlib, inflateRaw, InflateError, adler32 } from "./inflate.js";
export { ImageFolder, type ImageFolderOptions, type ImageFolderFileSystem } from "./image_folder.js";
export { syntheticHands, syntheticHandsDatasets, HAND_CLASSES, type SyntheticHandsOptions } from "./synthetic_hands.js";
