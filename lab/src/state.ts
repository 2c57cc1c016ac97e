/**
 * The lab's state lives in the URL hash — `#paths&lr=0.05&momentum=0.9` — so a link reproduces a
 * view: the first word names the panel, the rest are that panel's settings. Reading a value that is
 * missing or malformed gives its default.
 */
export type Settings = Record<string, string>;

export interface HashState {
  panel: string;
  settings: Settings;
}

export function readHash(hash = location.hash): HashState {
  const [panel = "", ...pairs] = hash.replace(/^#/, "").split("&");
  const settings: Settings = {};
  for (const pair of pairs) {
    const [key, value = ""] = pair.split("=");
    if (key) settings[decodeURIComponent(key)] = decodeURIComponent(value);
  }
  return { panel: decodeURIComponent(panel), settings };
}

export function writeHash(state: HashState): void {
  const pairs = Object.entries(state.settings).map(
    ([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(value)}`,
  );
  const hash = `#${[encodeURIComponent(state.panel), ...pairs].join("&")}`;
  // replaceState: moving a slider should not add a hundred entries to the back button's history
  if (hash !== location.hash) history.replaceState(null, "", hash);
}

/** A number setting, or `fallback` when it is missing or not a finite number. */
export function numberSetting(settings: Settings, key: string, fallback: number): number {
  const value = Number(settings[key]);
  return settings[key] !== undefined && settings[key] !== "" && Number.isFinite(value) ? value : fallback;
}
