export { type FaultSpec, Faults } from './faults.js';
export { NGINX_500, type SandboxPanel, type SandboxPanelOptions, startSandboxPanel } from './server.js';
export { DEMO_PACKAGES, newAccessKey, parseServices, type SandboxService, type SandboxState } from './state.js';
