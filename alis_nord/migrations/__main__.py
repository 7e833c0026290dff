from alis_nord.migrations import main

main()
