// A page that only says something (the envelope has ended, the link is wrong), framed by an
// integrator's app: the app is told, as the signing page would tell it of a refused action.
import { postToParent } from "./parent.js";

const { message, parentOrigins } = JSON.parse(document.getElementById("parent-event").textContent);
postToParent(message, parentOrigins);
