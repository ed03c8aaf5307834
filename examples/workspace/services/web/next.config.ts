import type { NextConfig } from "next";

const config: NextConfig = {
  // A self-contained server.js with only the node_modules it needs: what the runtime image ships.
  output: "standalone",
  poweredByHeader: false,
};

export default config;
