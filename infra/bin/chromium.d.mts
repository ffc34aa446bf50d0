/** The path of a Chromium binary, installed with apt-get when missing and we are root; else throws how to. */
export declare const ensureChromium: () => string
