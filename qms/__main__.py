import gc

# Importing the command line is start-up too (see qms.cli.main.main): no collection while it runs.
_collecting = gc.isenabled()
gc.disable()
try:
    from qms.cli.main import main
finally:
    if _collecting:
        gc.enable()

if __name__ == "__main__":
    main()
