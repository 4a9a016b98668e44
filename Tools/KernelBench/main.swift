print("kernel bench: under construction")
