// Copy the browser builds of our npm dependencies into static/vendor/ (served by whitenoise, never a CDN).
import { copyFileSync, mkdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "vendor");
const files = [
  ["node_modules/htmx.org/dist/htmx.min.js", "htmx.min.js"],
  ["node_modules/html5-qrcode/html5-qrcode.min.js", "html5-qrcode.min.js"],
  ["node_modules/echarts/dist/echarts.min.js", "echarts.min.js"],
];
mkdirSync(out, { recursive: true });
for (const [src, dest] of files) {
  const from = join(root, src);
  if (!existsSync(from)) {
    console.error(`missing ${src}: run "npm ci --prefix frontend" first`);
    process.exit(1);
  }
  copyFileSync(from, join(out, dest));
  console.log(`vendor: ${src} -> static/vendor/${dest}`);
}
