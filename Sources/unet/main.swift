print("unet: under construction")
