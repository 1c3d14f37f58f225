/**
 * Backends: the Rust-powered `native` tfjs backend, and choosing among native, cpu, wasm and
 * tensorflow (tfjs-node, optional).
 */
export { useBackend, availableBackends, BACKEND_NAMES, type BackendName } from './use-backend.js';
export { nativeAvailable, loadNativeAddon, checkAddon, REQUIRED_ADDON_FUNCTIONS, type NativeAddon } from './native-addon.js';
export { NativeBackend, NATIVE_BACKEND, registerNativeBackend } from './native-backend.js';
