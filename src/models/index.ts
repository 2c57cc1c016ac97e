export { CNN2 } from "./cnn2.js";
