"""WalletApp: a small e-wallet back office, the example project for privlint."""
