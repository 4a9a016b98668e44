// Placeholder: this module's sources arrive in later commits.
