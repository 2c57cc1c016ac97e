/**
 * CNN2, the convolutional network of chapter 6 of *Deep Learning with PyTorch Step-by-Step*,
 * attribute for attribute, so its state-dict keys are the book's:
 *
 *   featurizer: conv1 (3→n, 3x3) → relu → maxpool 2 → conv2 (n→n, 3x3) → relu → maxpool 2 → flatten
 *   classifier: [dropout p] → fc1 (n·5·5 → 50) → relu → [dropout p] → fc2 (50 → 3)
 *
 * For 3x28x28 images the feature maps are 26 → 13 → 11 → 5, hence n·5·5 features.
 */
import * as F from "../nn/functional.js";
import { Conv2d, Dropout, Linear } from "../nn/layers.js";
import { Module } from "../nn/module.js";
import type { Tensor } from "../tensor.js";

export class CNN2 extends Module {
  conv1: Conv2d;
  conv2: Conv2d;
  fc1: Linear;
  fc2: Linear;
  drop: Dropout;

  constructor(
    readonly nFeature: number,
    readonly p = 0.0,
  ) {
    super();
    this.conv1 = new Conv2d(3, nFeature, 3);
    this.conv2 = new Conv2d(nFeature, nFeature, 3);
    this.fc1 = new Linear(nFeature * 5 * 5, 50);
    this.fc2 = new Linear(50, 3);
    this.drop = new Dropout(p);
  }

  featurizer(x: Tensor): Tensor {
    x = F.maxPool2d(this.conv1.call(x).relu(), 2);
    x = F.maxPool2d(this.conv2.call(x).relu(), 2);
    return x.flatten(1);
  }

  classifier(x: Tensor): Tensor {
    if (this.p > 0) x = this.drop.call(x);
    x = this.fc1.call(x).relu();
    if (this.p > 0) x = this.drop.call(x);
    return this.fc2.call(x);
  }

  override forward(x: Tensor): Tensor {
    return this.classifier(this.featurizer(x));
  }
}
