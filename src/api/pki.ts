import type { FastifyPluginAsync } from "fastify";
import { errorResponses, FileResponse } from "../http/schemas.js";
import type { PlatformPki } from "../pki/platform-pki.js";
import { x509 } from "../pki/x509.js";

/**
 * What the platform root publishes under `PUBLIC_URL`, as its certificates say (CRL distribution
 * point, authority information access): its CRL and its own certificate. Public: a validator
 * fetching them has no key.
 */
export const pkiRoutes: FastifyPluginAsync<{ pki: () => Promise<PlatformPki> }> = async (
  app,
  { pki },
) => {
  const common = { tags: ["Trust"], security: [] };

  app.get(
    "/pki/root-ca.crl",
    {
      schema: {
        ...common,
        operationId: "getRootCrl",
        summary: "The platform root's certificate revocation list",
        description:
          "DER (application/pkix-crl), issued at most an hour ago and valid a week. The seal and timestamp authority certificates the root issues name this address; every sealed PDF also carries a copy in its DSS.",
        response: { 200: FileResponse("application/pkix-crl", "The CRL"), ...errorResponses(431) },
      },
    },
    async (_request, reply) => {
      const crl = await (await pki()).crl();
      return reply
        .type("application/pkix-crl")
        .header("Cache-Control", "public, max-age=3600")
        .send(Buffer.from(crl));
    },
  );

  app.get(
    "/pki/root-ca.crt",
    {
      schema: {
        ...common,
        operationId: "getRootCertificate",
        summary: "The platform root's certificate",
        description:
          "DER (application/pkix-cert): the root to trust for documents sealed by this platform (for document signatures only, never for TLS; see docs/signatures.md). The PEM is `certyneo pki export-root`.",
        response: {
          200: FileResponse("application/pkix-cert", "The certificate"),
          ...errorResponses(431),
        },
      },
    },
    async (_request, reply) => {
      const { rootCertificatePem } = await pki();
      const [der] = x509.PemConverter.decode(rootCertificatePem);
      return reply
        .type("application/pkix-cert")
        .header("Cache-Control", "public, max-age=86400")
        .send(Buffer.from(der!));
    },
  );
};
