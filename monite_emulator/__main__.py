from monite_emulator.cli import main

main()
