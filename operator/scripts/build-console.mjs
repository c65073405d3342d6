// Builds the console page (operator/src/console/ui) into operator/dist/console-ui with esbuild: one
// minified ES module, the stylesheet and the HTML. Run by `make build` and the operator image.
import { copyFile, mkdir, stat } from 'node:fs/promises';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = `${root}src/console/ui/`;
const out = `${root}dist/console-ui/`;
await mkdir(out, { recursive: true });
await build({
  entryPoints: [`${src}main.ts`],
  outfile: `${out}console.js`,
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'],
  platform: 'browser',
  legalComments: 'none',
  logLevel: 'warning',
});
await copyFile(`${src}index.html`, `${out}index.html`);
await copyFile(`${src}console.css`, `${out}console.css`);
await copyFile(`${src}favicon.svg`, `${out}favicon.svg`);
const size = (await stat(`${out}console.js`)).size;
process.stdout.write(`console: ${out}console.js ${size} bytes` + '\n');
