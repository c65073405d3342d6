// CLI over install.ts for `make demo`: node e2e/dist/harness/install-main.js crds|members|gateway
import { applyExampleGateway, applyMembers, installCrds, registerMemberSecrets } from './install.js';

const steps: Record<string, () => void> = {
  crds: installCrds,
  members: () => {
    registerMemberSecrets();
    applyMembers();
  },
  gateway: applyExampleGateway,
};
for (const arg of process.argv.slice(2)) {
  const step = steps[arg];
  if (!step) {
    console.error(`unknown step ${arg}: use ${Object.keys(steps).join(', ')}`);
    process.exit(2);
  }
  step();
}
