export interface TinyRun {
  backend: string;
  losses: number[];
  weights: number[][];
}
export function trainTiny(gradstep: unknown, backend: "js" | "wasm"): Promise<TinyRun>;
