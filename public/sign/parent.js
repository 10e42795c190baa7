// Embedding: a message for the page that frames this one, to the origins allowed to frame it
// (CERTYNEO_FRAME_ANCESTORS), and nobody else. Shared by the signing page and the ended pages.

/** Posts `message` to the parent frame, if any, when its origin is one of `allowed`. */
export function postToParent(message, allowed) {
  if (window.parent === window) return;
  for (const origin of parentTargets(allowed)) {
    try {
      window.parent.postMessage(message, origin);
    } catch (error) {
      console.warn(`certyneo: no message to ${origin}`, error);
    }
  }
}

/**
 * Where to post: the parent's origin when the browser names it (Chromium, Safari), only if it is
 * allowed. Elsewhere (Firefox) each exact allowed origin, and the frame's referrer if it matches
 * an allowed one (a wildcard entry too): under the default referrer policy that is the parent's
 * origin. The browser delivers a message only to a parent whose origin is its target, so a
 * target that is not the parent's reaches nobody.
 */
function parentTargets(allowed) {
  const ancestors = window.location.ancestorOrigins;
  if (ancestors && ancestors.length > 0)
    return [ancestors[0]].filter((origin) => allowedParent(origin, allowed));
  const referrer = originOf(document.referrer);
  const exact = allowed.filter((origin) => !origin.includes("*"));
  return referrer && allowedParent(referrer, allowed) ? [...new Set([referrer, ...exact])] : exact;
}

function originOf(url) {
  try {
    return url ? new URL(url).origin : null;
  } catch {
    return null;
  }
}

/** Whether `origin` is one of `allowed`, `https://*.example.com` matched as CSP reads it. */
function allowedParent(origin, allowed) {
  let parent;
  try {
    parent = new URL(origin);
  } catch {
    return false;
  }
  return allowed.some((entry) => {
    if (!entry.includes("*")) return entry === parent.origin;
    const [scheme, host = ""] = entry.split("://");
    return (
      parent.protocol === `${scheme}:` &&
      host.startsWith("*.") &&
      parent.host.endsWith(host.slice(1)) &&
      parent.host.length > host.length - 1
    );
  });
}
