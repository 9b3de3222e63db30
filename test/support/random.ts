// Reproducible randomness for tests that pick kill points: the seed goes in the test's name.

export { random } from '../../src/core/random.ts';
