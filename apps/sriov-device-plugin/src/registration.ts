// The plugin side of kubelet registration: direct mode calls kubelet's Registration.Register on kubelet.sock;
// plugin-watcher mode answers kubelet's GetInfo / NotifyRegistrationStatus on the plugin's own socket.
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { type RegisterRequest, RegistrationClient } from './generated/deviceplugin/v1beta1/api.js';
import type { PluginInfo } from './generated/pluginregistration/v1/api.js';

export const API_VERSION = 'v1beta1';
export const DEFAULT_DEVICE_PLUGIN_DIR = '/var/lib/kubelet/device-plugins/';
export const DEFAULT_PLUGINS_REGISTRY_DIR = '/var/lib/kubelet/plugins_registry/';
export const KUBELET_SOCKET_NAME = 'kubelet.sock';

/** grpc-js target for a unix socket path. */
export function unixTarget(path: string): string {
  return `unix:${path}`;
}

/** Calls Register on kubelet.sock; resolves when kubelet accepted (it dials back before it answers). */
export function registerWithKubelet(
  kubeletSocket: string,
  request: RegisterRequest,
  timeoutMs = 10_000,
): Promise<void> {
  const client = new RegistrationClient(unixTarget(kubeletSocket), credentials.createInsecure());
  return new Promise<void>((resolve, reject) => {
    client.register(
      request,
      new Metadata(),
      { deadline: new Date(Date.now() + timeoutMs) },
      (err: ServiceError | null) => {
        client.close();
        if (err) reject(new Error(`register ${request.resourceName} with kubelet at ${kubeletSocket}: ${err.message}`));
        else resolve();
      },
    );
  });
}

/** What GetInfo answers in plugin-watcher mode (as the Go plugin: both versions listed). */
export function pluginInfo(resourceName: string, socketPath: string): PluginInfo {
  return {
    type: 'DevicePlugin',
    name: resourceName,
    endpoint: socketPath,
    supportedVersions: ['v1alpha1', API_VERSION],
  };
}
