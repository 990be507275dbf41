/**
 * runtime.v1.ImageService handlers over the simulated runtime state. Every RPC not modelled here
 * answers UNIMPLEMENTED (see ./unimplemented.ts).
 */
import type * as cri from '../../../cri-proto/src/types';
import type { ImageServiceHandlers } from '../../../cri-proto/src/generated/runtime/v1/ImageService';
import { imageServiceDefinition } from '../../../cri-proto/src/load-cri';
import type { RuntimeState } from '../state/runtime-state';
import { toFilesystemUsage, toImage } from './cri-mapping';
import { createHandlerContext, unaryHandler, type HandlerOptions } from './handler-kit';
import { unimplementedHandlers } from './unimplemented';

export const IMAGE_SERVICE_NAME = 'runtime.v1.ImageService';

export const IMPLEMENTED_IMAGE_RPCS: ReadonlySet<string> = new Set([
  'PullImage',
  'ImageStatus',
  'ListImages',
  'RemoveImage',
  'ImageFsInfo',
]);

export function createImageServiceHandlers(state: RuntimeState, options: HandlerOptions = {}): ImageServiceHandlers {
  const ctx = createHandlerContext(state, options);

  const implemented: Partial<ImageServiceHandlers> = {
    PullImage: unaryHandler<cri.PullImageRequest__Output, cri.PullImageResponse>(ctx, 'PullImage', (req) => {
      const { imageRef } = state.pullImage({
        image: req.image?.image ?? '',
        sandboxAnnotations: req.sandbox_config?.annotations ?? undefined,
      });
      return { response: { image_ref: imageRef } };
    }),

    // A missing image is not an error: the CRI answers with an empty image (api.proto ImageStatus).
    ImageStatus: unaryHandler<cri.ImageStatusRequest__Output, cri.ImageStatusResponse>(ctx, 'ImageStatus', (req) => {
      const view = state.imageStatus(req.image?.image ?? '');
      if (view === null) return { response: { image: null, info: {} } };
      // Verbose info: the OCI image (image-spec config.go field names), as both runtimes print it for crictl inspecti.
      const c = view.config;
      const config: Record<string, unknown> = { Env: c.env, Cmd: c.cmd };
      if (c.user !== '') config.User = c.user;
      if (c.entrypoint.length > 0) config.Entrypoint = c.entrypoint;
      if (c.workingDir !== '') config.WorkingDir = c.workingDir;
      const info: Record<string, string> = req.verbose
        ? { info: JSON.stringify({ imageSpec: { architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers' } }, size: view.sizeBytes }) }
        : {};
      return { response: { image: toImage(view), info } };
    }),

    ListImages: unaryHandler<cri.ListImagesRequest__Output, cri.ListImagesResponse>(ctx, 'ListImages', (req) => ({
      response: { images: state.listImages(req.filter?.image?.image).map(toImage) },
    })),

    RemoveImage: unaryHandler<cri.RemoveImageRequest__Output, cri.RemoveImageResponse>(ctx, 'RemoveImage', (req) => {
      state.removeImage(req.image?.image ?? '');
      return { response: {} };
    }),

    ImageFsInfo: unaryHandler<cri.ImageFsInfoRequest__Output, cri.ImageFsInfoResponse>(ctx, 'ImageFsInfo', () => {
      const info = state.imageFsInfo();
      return {
        response: {
          image_filesystems: info.imageFilesystems.map(toFilesystemUsage),
          container_filesystems: info.containerFilesystems.map(toFilesystemUsage),
        },
      };
    }),
  };

  const rest = unimplementedHandlers(
    IMAGE_SERVICE_NAME,
    imageServiceDefinition() as unknown as Record<string, { requestStream: boolean; responseStream: boolean }>,
    IMPLEMENTED_IMAGE_RPCS,
  );
  return { ...rest, ...implemented } as unknown as ImageServiceHandlers;
}
