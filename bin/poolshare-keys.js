#!/usr/bin/env node
// Issues an API key: prints it once, stores only its SHA-256 hash.
import '../dist/cli/keys.js';
