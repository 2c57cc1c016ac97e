/**
 * The lab's page: five panels in the order of the chapter, chosen by the first word of the URL hash
 * (`#range-test`, `#ewma`, `#paths`, `#schedules`, `#training`); each panel keeps its settings in
 * the rest of the hash, so a copied link shows the same view. The backend is the package's default
 * (wasm where WebAssembly SIMD is supported, js otherwise) unless the hash says `backend=js`.
 */
import { getBackend, setBackend, wasmSimdSupported, type BackendName } from "./gradstep.js";
import { readHash, writeHash, type Settings } from "./state.js";
import { renderLrRange } from "./panels/lr_range.js";
import { renderEwma } from "./panels/ewma.js";
import { renderPaths } from "./panels/paths.js";
import { renderSchedules } from "./panels/schedules.js";
import { renderTraining } from "./panels/training.js";

type Render = (root: HTMLElement, settings: Settings, save: () => void, backend: BackendName) => void;

const PANELS: { id: string; title: string; render: Render }[] = [
  { id: "range-test", title: "1. LR range test", render: renderLrRange },
  { id: "ewma", title: "2. EWMA and Adam", render: renderEwma },
  { id: "paths", title: "3. Optimizer paths", render: renderPaths },
  { id: "schedules", title: "4. Schedules", render: renderSchedules },
  { id: "training", title: "5. Train CNN2 live", render: renderTraining },
];

const nav = document.querySelector<HTMLElement>("nav.panels")!;
const main = document.querySelector<HTMLElement>("main")!;
const backendLine = document.querySelector<HTMLElement>(".backend")!;

/** Each panel's settings while the page is open, so switching panels and back keeps them. */
const remembered = new Map<string, Settings>();

async function show(): Promise<void> {
  const { panel: id, settings } = readHash();
  const panel = PANELS.find((p) => p.id === id) ?? PANELS[0];
  const wanted: BackendName = settings.backend === "js" || !wasmSimdSupported() ? "js" : "wasm";
  if (getBackend() !== wanted) await setBackend(wanted);
  const current =
    id === panel.id && Object.keys(settings).length > 0 ? settings : (remembered.get(panel.id) ?? settings);
  remembered.set(panel.id, current);
  for (const link of nav.querySelectorAll("a")) link.classList.toggle("active", link.dataset.panel === panel.id);
  backendLine.textContent = `backend: ${getBackend()}${wasmSimdSupported() ? "" : " (this browser has no WebAssembly SIMD)"} · ${crossOriginIsolated ? "cross-origin isolated" : "not cross-origin isolated"}`;
  main.dataset.panel = panel.id;
  const save = () => writeHash({ panel: panel.id, settings: current });
  save();
  panel.render(main, current, save, getBackend());
}

for (const panel of PANELS) {
  const link = document.createElement("a");
  link.href = `#${panel.id}`;
  link.dataset.panel = panel.id;
  link.textContent = panel.title;
  nav.append(link);
}
addEventListener("hashchange", () => void show());
void show();
