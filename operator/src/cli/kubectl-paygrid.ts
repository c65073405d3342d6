#!/usr/bin/env node
// kubectl-paygrid: a version guard in front of the plugin. kubectl runs
// plugins with whatever `node` is on PATH; an older one would die inside a
// dependency with an unreadable stack, so say what is needed instead.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  console.error(
    `kubectl-paygrid needs Node.js 22.19 or newer (this is ${process.versions.node}); ` +
      'put a newer node first on PATH, e.g. ~/.cache/paygrid/node-24/node_modules/.bin',
  );
  process.exit(1);
}
await import('./plugin.js');
