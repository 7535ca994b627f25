import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Root } from "./App";
import { storeToken, tokenFromLink } from "./session";
import "./styles.css";

// A sign-in link (http://host/#token=...): keep the token for this tab and wipe it from
// the address bar and history before anything renders.
const linked = tokenFromLink(window.location.hash);
if (linked) {
  storeToken(linked, false);
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
}

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <Root />
  </StrictMode>,
);
