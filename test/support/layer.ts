// Real gzip tar layers, deterministic from a seed: the demo's generator, shared with the tests.
export {
  randomLayer,
  seededBytes,
  sha256Digest,
  type TestLayer,
  tarOfOneFile,
} from '../../src/demo/layer.js';
