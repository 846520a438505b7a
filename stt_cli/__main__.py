from stt_cli.cli import main

main()
