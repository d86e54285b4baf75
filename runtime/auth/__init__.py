"""Who is asking: SIWE, ReCap capabilities and Lit session signatures."""
