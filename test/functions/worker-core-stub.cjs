// A stand-in for `@azure/functions-core`, the module the Functions Node.js worker provides at run time
// by intercepting require (azure-functions-nodejs-worker, setupCoreModule). Preloaded with
// `node --require`, it records the name of every function the app registers in
// globalThis.registeredFunctions, and its metadata (bindings) in globalThis.registeredMetadata, as the
// worker would receive them.
const Module = require('node:module');

const registered = [];
const metadataList = [];
globalThis.registeredFunctions = registered;
globalThis.registeredMetadata = metadataList;

const core = {
  version: 'stub',
  hostVersion: 'stub',
  setProgrammingModel() {},
  registerFunction(metadata) {
    registered.push(metadata.name);
    metadataList.push(metadata);
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
};

const load = Module._load;
Module._load = function loadWithWorkerCore(request, ...rest) {
  return request === '@azure/functions-core' ? core : load.call(this, request, ...rest);
};
