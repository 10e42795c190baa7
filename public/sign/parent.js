// Embedding: a message for the page that frames this one, to the origins allowed to frame it
// (CERTYNEO_FRAME_ANCESTORS), and nobody else. Shared by the signing page and the ended pages.

/** Posts `message` to the parent frame, if any, when its origin is one of `allowed`. */
export function postToParent(message, allowed) {
  if (window.parent === window) return;
  // Where the browser names the parent's origin, only that one, and only if it is allowed;
  // elsewhere each allowed origin, which the browser delivers to only if it is the parent's.
  const ancestors = window.location.ancestorOrigins;
  const targets =
    ancestors && ancestors.length > 0
      ? [ancestors[0]].filter((origin) => allowedParent(origin, allowed))
      : allowed.filter((origin) => !origin.includes("*"));
  for (const origin of targets) {
    try {
      window.parent.postMessage(message, origin);
    } catch (error) {
      console.warn(`certyneo: no message to ${origin}`, error);
    }
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
