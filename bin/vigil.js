#!/usr/bin/env node
// Thin launcher so `npx vigil` works straight after `npm ci` (the prepare script builds dist/).
import '../dist/cli/main.js';
