#!/usr/bin/env node
// `npm run lab`: serves the repository over http://localhost so the lab (lab/index.html) can load the
// built package (dist/) as ES modules — browsers do not run modules or workers from file:// URLs.
// No dependencies: node:http and a dozen content types. Every response carries the two headers that
// make the page cross-origin isolated (COOP/COEP), which browsers require before they hand out
// SharedArrayBuffer and precise timers; the lab itself loads nothing from other origins.
//
//   node lab/server.mjs [--port 8080]      (PORT works too; 0 picks a free port)
import { createServer } from "node:http";
import { createReadStream, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".ts": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".wasm": "application/wasm",
  ".txt": "text/plain; charset=utf-8",
};

const ISOLATION_HEADERS = {
  "Cross-Origin-Opener-Policy": "same-origin",
  "Cross-Origin-Embedder-Policy": "require-corp",
  "Cross-Origin-Resource-Policy": "same-origin",
  "Cache-Control": "no-cache",
};

/** The file a URL path names inside the repository, or null when it would leave it. */
function fileFor(urlPath) {
  const path = normalize(join(root, decodeURIComponent(urlPath)));
  if (path !== root.replace(/[\\/]$/, "") && !path.startsWith(root.endsWith(sep) ? root : root + sep)) return null;
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) return fileFor(`${urlPath.replace(/\/?$/, "/")}index.html`);
    return stat.isFile() ? path : null;
  } catch {
    return null;
  }
}

/** Starts the server; resolves to its address and a `close()`. */
export function startLabServer(port = 8080, host = "127.0.0.1") {
  const server = createServer((request, response) => {
    const urlPath = new URL(request.url ?? "/", "http://localhost").pathname;
    if (urlPath === "/") {
      response.writeHead(302, { Location: "/lab/", ...ISOLATION_HEADERS }).end();
      return;
    }
    const file = request.method === "GET" || request.method === "HEAD" ? fileFor(urlPath) : null;
    if (!file) {
      response
        .writeHead(404, { "Content-Type": "text/plain; charset=utf-8", ...ISOLATION_HEADERS })
        .end(`not found: ${urlPath}\n`);
      return;
    }
    response.writeHead(200, {
      "Content-Type": CONTENT_TYPES[extname(file)] ?? "application/octet-stream",
      ...ISOLATION_HEADERS,
    });
    if (request.method === "HEAD") response.end();
    else createReadStream(file).pipe(response);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolve({ url: `http://${host}:${address.port}`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const flag = process.argv.indexOf("--port");
  const port = Number(flag > 0 ? process.argv[flag + 1] : (process.env.PORT ?? 8080));
  const { url } = await startLabServer(port);
  console.log(`gradstep lab: ${url}/lab/  (Ctrl+C stops)`);
}
