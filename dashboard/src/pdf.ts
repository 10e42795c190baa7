import type * as PdfJs from "pdfjs-dist";

type PdfJsModule = typeof PdfJs;

let loading: Promise<PdfJsModule> | undefined;

/**
 * pdf.js, as the signing page loads it: served by our own process (no CDN), fetched the first
 * time a page is shown, its worker from the same place.
 */
export function pdfjs(): Promise<PdfJsModule> {
  loading ??= import(/* @vite-ignore */ "/sign-assets/pdf.mjs" as string).then(
    (module: PdfJsModule) => {
      module.GlobalWorkerOptions.workerSrc = "/sign-assets/pdf.worker.mjs";
      return module;
    },
  );
  return loading;
}
