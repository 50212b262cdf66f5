#!/usr/bin/env node
// The what-if calculator, from the build made by `npm ci` (prepare) or `npm run build`.
import '../dist/cli/whatif.js';
