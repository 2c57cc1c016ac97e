/**
 * Labelled inputs bound to a panel's settings: each control reads its starting value from the
 * settings (the URL hash) and writes back on every change, then calls `onChange` to redraw.
 */
import { numberSetting, type Settings } from "./state.js";

export type Control =
  /** A slider; with `log`, it moves through powers of ten from 10^min to 10^max. */
  | { kind: "range"; key: string; label: string; min: number; max: number; step: number; value: number; log?: boolean }
  | { kind: "number"; key: string; label: string; value: number; step?: number; min?: number }
  | { kind: "select"; key: string; label: string; options: readonly string[]; value: string }
  | { kind: "checkbox"; key: string; label: string; value: boolean };

/** Short display of a slider's value: 3 significant digits. */
export function show(value: number): string {
  return Math.abs(value) >= 1e-3 || value === 0 ? String(Number(value.toPrecision(3))) : value.toExponential(1);
}

/** The current value of a control from the settings, or its default. */
export function valueOf(control: Control, settings: Settings): number | string | boolean {
  switch (control.kind) {
    case "range":
    case "number":
      return numberSetting(settings, control.key, control.value);
    case "select":
      return control.options.includes(settings[control.key]) ? settings[control.key] : control.value;
    case "checkbox":
      return settings[control.key] === undefined ? control.value : settings[control.key] === "1";
  }
}

/** A fieldset of the controls; changing one updates `settings` and calls `onChange`. */
export function controlPanel(controls: readonly Control[], settings: Settings, onChange: () => void): HTMLElement {
  const fieldset = document.createElement("fieldset");
  fieldset.className = "controls";
  for (const control of controls) fieldset.append(controlElement(control, settings, onChange));
  return fieldset;
}

function controlElement(control: Control, settings: Settings, onChange: () => void): HTMLElement {
  const label = document.createElement("label");
  label.className = `control control-${control.kind}`;
  const name = document.createElement("span");
  name.className = "control-name";
  name.textContent = control.label;
  label.append(name);
  const value = valueOf(control, settings);

  if (control.kind === "select") {
    const select = document.createElement("select");
    select.name = control.key;
    for (const option of control.options) select.add(new Option(option, option, false, option === value));
    select.addEventListener("change", () => {
      settings[control.key] = select.value;
      onChange();
    });
    label.append(select);
    return label;
  }
  if (control.kind === "checkbox") {
    const box = document.createElement("input");
    box.type = "checkbox";
    box.name = control.key;
    box.checked = value as boolean;
    box.addEventListener("change", () => {
      settings[control.key] = box.checked ? "1" : "0";
      onChange();
    });
    label.prepend(box);
    return label;
  }

  const input = document.createElement("input");
  input.name = control.key;
  if (control.kind === "number") {
    input.type = "number";
    input.step = String(control.step ?? "any");
    if (control.min !== undefined) input.min = String(control.min);
    input.value = String(value);
    input.addEventListener("change", () => {
      if (input.value === "" || !Number.isFinite(Number(input.value))) return;
      settings[control.key] = input.value;
      onChange();
    });
    label.append(input);
    return label;
  }
  // a slider, linear or over powers of ten
  const number = value as number;
  input.type = "range";
  input.min = String(control.min);
  input.max = String(control.max);
  input.step = String(control.step);
  input.value = String(control.log ? Math.log10(number) : number);
  const readout = document.createElement("output");
  readout.textContent = show(number);
  input.addEventListener("input", () => {
    const next = control.log ? 10 ** Number(input.value) : Number(input.value);
    settings[control.key] = String(Number(next.toPrecision(4)));
    readout.textContent = show(next);
    onChange();
  });
  label.append(input, readout);
  return label;
}

/** The settings' numbers and choices, typed by the controls that define them. */
export function valuesOf(controls: readonly Control[], settings: Settings): Record<string, any> {
  return Object.fromEntries(controls.map((control) => [control.key, valueOf(control, settings)]));
}

/** A `<pre><code>` block. */
export function codeBlock(code: string, className = "code"): HTMLElement {
  const pre = document.createElement("pre");
  pre.className = className;
  pre.textContent = code;
  return pre;
}

/** A div with `className`; SVG strings from gradstep's plot module go in with `setSvg`. */
export function box(className: string): HTMLDivElement {
  const div = document.createElement("div");
  div.className = className;
  return div;
}

export function setSvg(target: HTMLElement, svg: string): void {
  target.innerHTML = svg;
}

export function paragraph(html: string): HTMLElement {
  const p = document.createElement("p");
  p.innerHTML = html;
  return p;
}
