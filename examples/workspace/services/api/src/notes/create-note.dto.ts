import { IsNotEmpty, IsOptional, IsString, MaxLength } from "class-validator";

/** Body of `POST /notes`. */
export class CreateNoteDto {
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  title!: string;

  @IsOptional()
  @IsString()
  @MaxLength(10_000)
  body?: string;
}
