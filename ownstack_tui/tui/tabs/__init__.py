"""The main screen's tabs beyond Deploy and History: Config, Scale, Logs."""
