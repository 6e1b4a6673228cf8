/**
 * `sluice/testing`: tools for deterministic tests of actors and pipelines. Named exports only.
 */
export { VirtualClock } from './virtual-clock.js';
export { createTestKit } from './test-kit.js';
export type { TestKit, TestKitOptions, TestProbe } from './test-kit.js';
