// The dashboard's built files. This source version is empty; esbuild.config.mjs replaces the
// module with one that embeds web/ as built, so the single executable serves it from memory.
export interface WebAsset {
  contentType: string;
  body: Uint8Array;
}

export const webAssets: Record<string, WebAsset> = {};
