// Progressive enhancements for the shop's pages; every page works without it.
import "./live.js";
