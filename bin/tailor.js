#!/usr/bin/env node
import('../dist/cli/main.js').then((m) => m.run(process.argv)).catch((error) => {
  console.error(error);
  process.exit(1);
});
