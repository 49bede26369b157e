export { type CallOutput, classify, panelError, parseLenientJson } from './classify.js';
export {
  HestiaClient,
  type HestiaClientOptions,
  type PanelCallRecord,
  type PanelCredentials,
  redactArgs,
} from './client.js';
export { exitCodeName } from './codes.js';
export { printCurl } from './curl.js';
export { HestiaPanel, isAlreadyGone, isAlreadySuspended, isExists } from './panel.js';
export { normaliseFingerprint, probeFingerprint, type TlsTrust } from './tls.js';
export { ArgumentError, normaliseDomain } from './validate.js';
