/**
 * ModuleList and ModuleDict: hold submodules so their parameters are registered (under "0", "1", …
 * or the dict's keys), without a forward of their own, as in PyTorch.
 */
import { Module } from "./module.js";

export class ModuleList<M extends Module = Module> extends Module {
  constructor(modules: Iterable<M> = []) {
    super();
    for (const m of modules) this.append(m);
  }
  get length(): number {
    return [...this.children()].length;
  }
  /** The i-th module (negative counts from the end). */
  at(i: number): M {
    const list = [...this.children()] as M[];
    const m = list[i < 0 ? i + list.length : i];
    if (m === undefined) throw new RangeError(`index ${i} is out of range for a ModuleList of ${list.length} modules`);
    return m;
  }
  append(module: M): this {
    this.addModule(String(this.length), module);
    return this;
  }
  extend(modules: Iterable<M>): this {
    for (const m of modules) this.append(m);
    return this;
  }
  /** Inserts before index i, renumbering the modules after it. */
  insert(i: number, module: M): void {
    const list = [...this.children()] as M[];
    const at = i < 0 ? i + list.length : i;
    list.splice(Math.max(0, Math.min(at, list.length)), 0, module);
    list.forEach((m, n) => this.addModule(String(n), m));
  }
  [Symbol.iterator](): Iterator<M> {
    return ([...this.children()] as M[])[Symbol.iterator]();
  }
  override forward(): never {
    throw new Error("ModuleList has no forward(); iterate over it and call its modules");
  }
}

export class ModuleDict<M extends Module = Module> extends Module {
  constructor(modules: Record<string, M> | Iterable<[string, M]> = {}) {
    super();
    this.update(modules);
  }
  get(key: string): M {
    const found = [...this.namedChildren()].find(([k]) => k === key);
    if (found === undefined) throw new RangeError(`ModuleDict has no key '${key}'`);
    return found[1] as M;
  }
  set(key: string, module: M): this {
    this.addModule(key, module);
    return this;
  }
  has(key: string): boolean {
    return [...this.namedChildren()].some(([k]) => k === key);
  }
  keys(): string[] {
    return [...this.namedChildren()].map(([k]) => k);
  }
  values(): M[] {
    return [...this.children()] as M[];
  }
  items(): [string, M][] {
    return [...this.namedChildren()] as [string, M][];
  }
  get length(): number {
    return this.keys().length;
  }
  update(modules: Record<string, M> | Iterable<[string, M]>): this {
    const entries =
      Symbol.iterator in Object(modules) ? [...(modules as Iterable<[string, M]>)] : Object.entries(modules);
    for (const [k, m] of entries) this.set(k, m);
    return this;
  }
  override forward(): never {
    throw new Error("ModuleDict has no forward(); look its modules up by key");
  }
}
