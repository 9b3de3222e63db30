// zeromq's native addon as the bundles load it (scripts/build.ts puts this in place of zeromq's own
// loader): dist/zeromq.node, or in the single binary its asset of that name.

import { distAddon } from '../core/embedded.ts';

export default distAddon('zeromq.node');
