// Stand-in for the portal's own bundle. It does nothing that matters: it only
// marks the page as loaded so tests can tell the script ran under the CSP.
document.title = "Advanced hunting - Microsoft Defender";
document.documentElement.setAttribute("data-standin-portal", "loaded");
