/**
 * The one place the lab imports gradstep from: the built package, by relative URL. The page could
 * use an import map (`"gradstep": "/dist/index.js"`) instead, but module workers do not see the
 * page's import map, and the lab's worker needs the same modules as the page.
 */
export * from "../../dist/index.js";
